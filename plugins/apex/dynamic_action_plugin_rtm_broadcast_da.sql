prompt --application/set_environment
set define off
set verify off
set feedback off
whenever sqlerror exit sql.sqlcode rollback
--------------------------------------------------------------------------------
--
-- Oracle APEX export file: plug-in Real-Time Messaging - Broadcast (DA)
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
--     PLUGIN: 43971088010149102
--   Manifest End
--   Version:         23.1.0
--

begin
  -- replace components
  wwv_flow_imp.g_mode := 'REPLACE';
end;
/
prompt --application/shared_components/plugins/dynamic_action/rtm_broadcast_da
begin
wwv_flow_imp_shared.create_plugin(
 p_id=>wwv_flow_imp.id(43971088010149102)
,p_plugin_type=>'DYNAMIC ACTION'
,p_name=>'RTM_BROADCAST_DA'
,p_display_name=>'Real-Time Messaging - Broadcast (DA)'
,p_category=>'EXECUTE'
,p_api_version=>1
,p_render_function=>'rtm_plugin.render_broadcast'
,p_ajax_function=>'rtm_plugin.ajax_broadcast'
,p_standard_attributes=>'ITEM:STOP_EXECUTION_ON_ERROR:WAIT_FOR_RESULT'
,p_substitute_attributes=>true
,p_subscribe_plugin_settings=>true
,p_help_text=>'Publishes a message: through the server (the database posts it with the API key, on this action''s own channel and event) or over the page''s WebSocket with the user''s token. The triggering element is disabled while sending; rtm-sent or rtm-send-error follows. The API key never reaches the browser.'
,p_version_identifier=>'2.0.0'
,p_about_url=>'https://github.com/rtm-kit/rtm-kit/blob/main/plugins/apex/README.md'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43974308870185675)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>1
,p_display_sequence=>10
,p_prompt=>'API Key'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_is_translatable=>false
,p_help_text=>'Ignored, and never sent to the browser: the API key now lives in an APEX Web Credential (or rtm_settings). A value left here from the original plug-in is reported in the debug log; clear it. See UPGRADE.md.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43974605214188536)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>2
,p_display_sequence=>20
,p_prompt=>'Base URL'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'https://rtm.example.com'
,p_is_translatable=>false
,p_help_text=>'The rtm-kit server. Leave it empty to use rtm_settings.base_url.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43974929903189873)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>3
,p_display_sequence=>30
,p_prompt=>'Channel'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'test'
,p_is_translatable=>false
,p_help_text=>'The channel to publish on. user:&APP_USER. is encoded as the Listener encodes it. The server refuses user:<name> channels of other users.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43975276205191574)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>4
,p_display_sequence=>40
,p_prompt=>'Event Name'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'ping'
,p_is_translatable=>false
,p_help_text=>'The message''s event name.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43975530585193755)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>5
,p_display_sequence=>50
,p_prompt=>'Payload Item'
,p_attribute_type=>'PAGE ITEM'
,p_is_required=>false
,p_is_translatable=>false
,p_help_text=>'An item whose value is sent as {"itemName": "<item>", "value": "<its value>"}, the original plug-ins'' convention. Through the server, the item name is set by the database from this attribute, whatever the page sends.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(43975890774197399)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>6
,p_display_sequence=>60
,p_prompt=>'On Error'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>false
,p_default_value=>'LOG'
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'When the message cannot be sent. LOG (the default): a warning in the browser console and the debug log, rtm-send-error, and the next actions run. IGNORE: the same without the warning. RAISE: an error, which stops the next actions when Wait for Result and Stop Execution On Error are set.'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(43976161802198247)
,p_plugin_attribute_id=>wwv_flow_imp.id(43975890774197399)
,p_display_sequence=>10
,p_display_value=>'RAISE'
,p_return_value=>'RAISE'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(43976552120199395)
,p_plugin_attribute_id=>wwv_flow_imp.id(43975890774197399)
,p_display_sequence=>20
,p_display_value=>'LOG'
,p_return_value=>'LOG'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(43976903098201072)
,p_plugin_attribute_id=>wwv_flow_imp.id(43975890774197399)
,p_display_sequence=>30
,p_display_value=>'IGNORE'
,p_return_value=>'IGNORE'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000002000900)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>7
,p_display_sequence=>70
,p_prompt=>'Send Through'
,p_attribute_type=>'SELECT LIST'
,p_is_required=>false
,p_default_value=>'SERVER'
,p_is_translatable=>false
,p_lov_type=>'STATIC'
,p_help_text=>'SERVER, as the original plug-in: the plug-in''s Ajax callback publishes with rtm_api, on this action''s channel and event; Listeners with Only Server Messages accept it. SOCKET: over the page''s WebSocket with the user''s token, which needs publish rights (rtm_settings.publish).'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000002000001)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000002000900)
,p_display_sequence=>10
,p_display_value=>'Server (database, API key)'
,p_return_value=>'SERVER'
);
wwv_flow_imp_shared.create_plugin_attr_value(
 p_id=>wwv_flow_imp.id(7361000002000002)
,p_plugin_attribute_id=>wwv_flow_imp.id(7361000002000900)
,p_display_sequence=>20
,p_display_value=>'Page WebSocket (user token)'
,p_return_value=>'SOCKET'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000002000003)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>8
,p_display_sequence=>80
,p_prompt=>'Items'
,p_attribute_type=>'PAGE ITEMS'
,p_is_required=>false
,p_examples=>'P10_ORDER_ID,P10_STATUS'
,p_is_translatable=>false
,p_help_text=>'Page items whose values are sent as {"ITEM": value}.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000002000004)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>9
,p_display_sequence=>90
,p_prompt=>'Static Payload'
,p_attribute_type=>'TEXTAREA'
,p_is_required=>false
,p_examples=>'{"source": "orders page"}'
,p_is_translatable=>false
,p_help_text=>'Optional JSON object the item values are added to.'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000002000005)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>10
,p_display_sequence=>100
,p_prompt=>'Payload Function'
,p_attribute_type=>'TEXT'
,p_is_required=>false
,p_examples=>'myApp.orderPayload'
,p_is_translatable=>false
,p_help_text=>'Optional name of a global JavaScript function returning the payload (an object is merged over the items).'
);
wwv_flow_imp_shared.create_plugin_attribute(
 p_id=>wwv_flow_imp.id(7361000002000006)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_attribute_scope=>'COMPONENT'
,p_attribute_sequence=>11
,p_display_sequence=>110
,p_prompt=>'Timeout (ms)'
,p_attribute_type=>'INTEGER'
,p_is_required=>false
,p_default_value=>'5000'
,p_is_translatable=>false
,p_help_text=>'How long to wait for the server''s answer. With Wait for Result, the next actions run after it; a refusal or a timeout is handled as On Error says.'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000002000007)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_name=>'rtm-sent'
,p_display_name=>'RTM message sent'
);
wwv_flow_imp_shared.create_plugin_event(
 p_id=>wwv_flow_imp.id(7361000002000008)
,p_plugin_id=>wwv_flow_imp.id(43971088010149102)
,p_name=>'rtm-send-error'
,p_display_name=>'RTM message not sent'
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
