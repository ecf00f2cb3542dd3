prompt --application/set_environment
set define off
set verify off
set feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
--
-- Oracle APEX export file: plug-in Real-Time Messaging - Listener (DA)
--
-- rtm-kit's replacement for the original APEX RTM plug-in of the same internal
-- name: importing it over the original keeps every dynamic action and process
-- that uses it (attributes 01-06 mean what they meant; new ones start at 07).
-- Install rtm_api.sql and rtm_plugin.sql first; see plugins/apex/README.md and
-- plugins/apex/UPGRADE.md.
--
-- NOT RUN HERE: rtm-kit's repository has no Oracle database or APEX instance.
-- The file follows APEX 23.1 component exports (it imports on 23.1-24.2) and
-- its syntax is checked by `npm test` with an Oracle PL/SQL grammar; import it
-- and test it on a real instance before relying on it.
--
-- NOTE: Calls to apex_application_install override the defaults below.
--
--------------------------------------------------------------------------------
begin
wwv_flow_imp.import_begin (
 p_version_yyyy_mm_dd=>'2023.04.28'
,p_release=>'23.1.0'
,p_default_workspace_id=>100000
,p_default_application_id=>100
,p_default_id_offset=>0
,p_default_owner=>'RTM'
);
end;
/
 
prompt APPLICATION 100 - rtm-kit plug-ins
--
-- Application Export:
--   Application:     100
--   Name:            rtm-kit plug-ins
--   Exported By:     RTM
--   Flashback:       0
--   Export Type:     Component Export
--   Manifest
--     PLUGIN: 43922973552184349
--   Manifest End
--   Version:         23.1.0
--

begin
  -- replace components
  wwv_flow_imp.g_mode := 'REPLACE';
end;
/
prompt --application/shared_components/plugins/dynamic_action/rtm_listener_da
begin
wwv_flow_imp_shared.create_plugin(
 p_id=>wwv_flow_imp.id(43922973552184349)
,p_plugin_type=>'DYNAMIC ACTION'
,p_name=>'RTM_LISTENER_DA'
,p_display_name=>'Real-Time Messaging - Listener (DA)'
,p_category=>'EXECUTE'
,p_api_version=>1
,p_render_function=>'rtm_plugin.render_listener'
,p_ajax_function=>'rtm_plugin.ajax_token'
,p_standard_attributes=>'ONLOAD'
,p_substitute_attributes=>true
,p_subscribe_plugin_settings=>true
,p_help_text=>'Listens on an rtm-kit channel over the page''s one shared WebSocket, with a token the database signs for the session''s user, and reacts to each message: fires an APEX event, sets declared items, refreshes regions, shows an escaped notification or calls a function. If the rtm-kit script cannot load, the action only warns in the browser console and the page''s other dynamic actions go on.'
,p_version_identifier=>'2.0.0'
,p_about_url=>'https://github.com/rtm-kit/rtm-kit/blob/main/plugins/apex/README.md'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43923497466191791)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>1
,p_display_sequence=>10
,p_prompt=>'Base WebSocket URL'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'wss://rtm.example.com'
,p_is_translatable=>false
,p_help_text=>'The rtm-kit server, as wss://host (or https://host). Leave it empty to use rtm_settings.base_url, the one place to change when the server moves. A URL without a path connects to the server''s /rtc endpoint.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43923786692197212)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>2
,p_display_sequence=>20
,p_prompt=>'Channel'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'user:&APP_USER.'
,p_is_translatable=>false
,p_help_text=>'The channel to listen on. Substitutions such as &APP_USER. are replaced when the page renders. user:<name> is the private channel of that user: the token is signed in the database for :APP_USER, and a name with spaces, a backslash or non-ASCII letters is encoded for you (rtm_api.user_channel).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43924085954202808)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>3
,p_display_sequence=>30
,p_prompt=>'Event Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'ping, order.*'
,p_is_translatable=>false
,p_help_text=>'The event names to act on, separated by commas: an exact name such as ping, a prefix such as order.*, or * (or empty) for all.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43924367957207760)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>4
,p_display_sequence=>40
,p_prompt=>'APEX Event Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_default_value=>'rtm-message'
,p_is_translatable=>false
,p_help_text=>'The event fired with apex.event.trigger for each message; in a dynamic action on it, this.data is {channel, eventName, payload, modifier, timestamp}. A dynamic action that calls apex.da.cancel() skips the actions below.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000001)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>7
,p_display_sequence=>70
,p_prompt=>'Set Items'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'P10_MESSAGE=payload.value'
,p_is_translatable=>false
,p_help_text=>'Page items to set, one ITEM=path per line, for example P10_MESSAGE=payload.value. Only the items listed here are written, with their change event suppressed (so a Broadcast on Change does not send the value on again); objects are written as JSON text.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000002)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>8
,p_display_sequence=>80
,p_prompt=>'Refresh Regions'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'orders_report'
,p_is_translatable=>false
,p_help_text=>'Static IDs of regions to refresh, separated by commas. A Broadcast Process runs before APEX commits the page''s changes: see the plug-in''s README for when a refresh may still read the old rows.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000003)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>9
,p_display_sequence=>90
,p_prompt=>'Notification'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'New order {payload.id}'
,p_is_translatable=>false
,p_help_text=>'A success message to show, with {path} placeholders such as {payload.id}. It is escaped: a payload cannot inject markup.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000004)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>10
,p_display_sequence=>100
,p_prompt=>'Call Function'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'myApp.onOrder'
,p_is_translatable=>false
,p_help_text=>'The name of a global JavaScript function to call with this = the message and the arguments (payload, message).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000005)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>11
,p_display_sequence=>110
,p_prompt=>'Debounce (ms)'
,p_attribute_type=>'INTEGER'
,p_is_required=>false
,p_default_value=>'0'
,p_is_translatable=>false
,p_help_text=>'Act only on the last message of a burst, once no message has arrived for this many milliseconds. 0 acts on every message.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000900)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>12
,p_display_sequence=>120
,p_prompt=>'Options'
,p_attribute_type=>'CHECKBOXES'
,p_is_required=>false
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'Once: stop after the first matching message. Ignore Own: skip the echo of what this page broadcast. Only Server Messages: act only on messages the server''s REST API published (a Broadcast Process, a Broadcast sent through the server, rtm_api), never on ones a page user published over a WebSocket.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000001000006)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000001000900)
,p_display_sequence=>10
,p_display_value=>'Once'
,p_return_value=>'ONCE'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000001000007)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000001000900)
,p_display_sequence=>20
,p_display_value=>'Ignore Own'
,p_return_value=>'IGNORE_OWN'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000001000008)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000001000900)
,p_display_sequence=>30
,p_display_value=>'Only Server Messages'
,p_return_value=>'SERVER_ONLY'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000901)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>13
,p_display_sequence=>130
,p_prompt=>'{itemName, value} Messages'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>false
,p_default_value=>'SERVER'
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'What to do with a payload {"itemName": "P10_MESSAGE", "value": "..."}, the original plug-ins'' convention. By default the named item is set only when the server published the message, where the item name comes from a Broadcast''s own configuration; a page user can never choose which item another page writes. See UPGRADE.md.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000001000009)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000001000901)
,p_display_sequence=>10
,p_display_value=>'Set the item, for server messages only'
,p_return_value=>'SERVER'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000001000010)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000001000901)
,p_display_sequence=>20
,p_display_value=>'Do not set items'
,p_return_value=>'OFF'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000011)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>14
,p_display_sequence=>140
,p_prompt=>'Resource'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'ds:orders'
,p_is_translatable=>false
,p_help_text=>'Instead of a channel: a resource type:name whose created, updated and deleted events to act on (Event Name then filters the actions); this.data.payload holds the records. Pushed with rtm_api.emit_event.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000001000012)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>15
,p_display_sequence=>150
,p_prompt=>'Payload Filter'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'status=DONE'
,p_is_translatable=>false
,p_help_text=>'Optional field=value pairs, one per line, that must all match, for example status=DONE or payload.customer.id=42. On a channel they also filter on the server, so other messages never reach the page.'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000001000013)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_name=>'rtm-message'
,p_display_name=>'RTM message received'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000001000014)
,p_plugin_id=>wwv_flow_imp.id(43922973552184349)
,p_name=>'rtm-error'
,p_display_name=>'RTM error'
);
end;
/
prompt --application/end_environment
begin
wwv_flow_imp.import_end(p_auto_install_sup_obj => nvl(wwv_flow_application_install.get_auto_install_sup_obj, false));
commit;
end;
/
set define on
set verify on
set feedback on
prompt  ...done
